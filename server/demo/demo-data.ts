// Demo data from the news report on real 跨省通办 / 跨市通办 partnerships (shared/source-article-zh.md).
// Identifiers are stable: tests, the README and issues refer to them.
import type { Matter, Partnership, Site } from '../features/catalog/index.js';

// The demo data has exactly the catalogue's shapes.
export type DemoSite = Site;
export type DemoMatter = Matter;
export type DemoPartnership = Partnership;

export interface DemoUser {
  readonly username: string;
  readonly displayName: string;
  readonly role: 'clerk' | 'official' | 'auditor' | 'admin';
  readonly siteId: string | null;
}

export const DEMO_PASSWORD = 'tongban-demo';
export const DEMO_PIN = '123456';

export const demoSites: readonly DemoSite[] = [
  { id: 'cixi', name: '慈溪市政务服务办', nameEn: 'Cixi Government Services Office', region: '浙江省宁波市' },
  { id: 'xingren', name: '兴仁市政务服务中心', nameEn: 'Xingren Government Service Center', region: '贵州省黔西南州' },
  {
    id: 'zhenhai',
    name: '镇海区行政服务中心',
    nameEn: 'Zhenhai District Administrative Service Center',
    region: '浙江省宁波市',
  },
  {
    id: 'yangpu',
    name: '上海市杨浦区行政服务中心',
    nameEn: 'Yangpu District Administrative Service Center',
    region: '上海市',
  },
  {
    id: 'nanhu',
    name: '嘉兴市南湖区行政服务中心',
    nameEn: 'Nanhu District Administrative Service Center',
    region: '浙江省嘉兴市',
  },
  {
    id: 'jiangbei',
    name: '宁波市江北区户证中心',
    nameEn: 'Jiangbei District Household Registration Center',
    region: '浙江省宁波市',
  },
  {
    id: 'putuo',
    name: '舟山市普陀区户证中心',
    nameEn: 'Putuo District Household Registration Center',
    region: '浙江省舟山市',
  },
  {
    id: 'ninghai',
    name: '宁海县政务服务办公室',
    nameEn: 'Ninghai County Government Services Office',
    region: '浙江省宁波市',
  },
  {
    id: 'jiaojiang',
    name: '台州市椒江区行政服务中心',
    nameEn: 'Jiaojiang District Administrative Service Center',
    region: '浙江省台州市',
  },
  { id: 'ningbo', name: '宁波市政务服务办', nameEn: 'Ningbo Government Services Office', region: '浙江省宁波市' },
  { id: 'lishui', name: '丽水市政务服务办', nameEn: 'Lishui Government Services Office', region: '浙江省丽水市' },
];

const TEN_YEARS = 3650;
const THIRTY_YEARS = 10950;

export const demoMatters: readonly DemoMatter[] = [
  // 慈溪–兴仁: social security and tax real-name matters
  {
    id: 'shebao-tingjiao',
    name: '社保停缴',
    nameEn: 'Stop social insurance contributions',
    category: '个人',
    department: '人力社保局',
    requiresIdentityConfirmation: true,
    retentionDays: TEN_YEARS,
  },
  {
    id: 'shebao-zhuanyi',
    name: '养老保险关系转移接续',
    nameEn: 'Transfer of pension insurance',
    category: '个人',
    department: '人力社保局',
    requiresIdentityConfirmation: true,
    retentionDays: THIRTY_YEARS,
  },
  {
    id: 'shuiwu-shiming',
    name: '税务登记法人实名认证',
    nameEn: 'Tax registration: legal representative real-name verification',
    category: '法人',
    department: '税务局',
    requiresIdentityConfirmation: true,
    retentionDays: TEN_YEARS,
  },
  // 镇海–杨浦–南湖: 企业开办 "一件事", six steps in one day
  {
    id: 'qiye-gongshang',
    name: '企业开办·工商注册登记',
    nameEn: 'Business start-up: company registration',
    category: '法人',
    department: '市场监管局',
    requiresIdentityConfirmation: true,
    retentionDays: THIRTY_YEARS,
  },
  {
    id: 'qiye-gongzhang',
    name: '企业开办·公章刻制',
    nameEn: 'Business start-up: official seal engraving',
    category: '法人',
    department: '公安局',
    requiresIdentityConfirmation: true,
    retentionDays: TEN_YEARS,
  },
  {
    id: 'qiye-yinhang',
    name: '企业开办·银行开户',
    nameEn: 'Business start-up: bank account',
    category: '法人',
    department: '人民银行',
    requiresIdentityConfirmation: true,
    retentionDays: TEN_YEARS,
  },
  {
    id: 'qiye-shuikong',
    name: '企业开办·税控设备申领',
    nameEn: 'Business start-up: tax control device',
    category: '法人',
    department: '税务局',
    requiresIdentityConfirmation: false,
    retentionDays: TEN_YEARS,
  },
  {
    id: 'qiye-shebao',
    name: '企业开办·社保参保开户',
    nameEn: 'Business start-up: social insurance account',
    category: '法人',
    department: '人力社保局',
    requiresIdentityConfirmation: false,
    retentionDays: TEN_YEARS,
  },
  {
    id: 'qiye-gongjijin',
    name: '企业开办·公积金开户',
    nameEn: 'Business start-up: housing fund account',
    category: '法人',
    department: '住房公积金中心',
    requiresIdentityConfirmation: false,
    retentionDays: TEN_YEARS,
  },
  // 江北–普陀: 户籍, three categories (33 matters in all; the catalogue holds representatives)
  {
    id: 'huji-hukoubu-buban',
    name: '户口簿补办',
    nameEn: 'Replace a household register booklet',
    category: '个人',
    department: '公安局',
    requiresIdentityConfirmation: true,
    retentionDays: THIRTY_YEARS,
  },
  {
    id: 'huji-qianru',
    name: '户口迁入',
    nameEn: 'Household registration move-in',
    category: '个人',
    department: '公安局',
    requiresIdentityConfirmation: true,
    retentionDays: THIRTY_YEARS,
  },
  {
    id: 'huji-biangeng',
    name: '户口项目变更',
    nameEn: 'Change household registration details',
    category: '个人',
    department: '公安局',
    requiresIdentityConfirmation: true,
    retentionDays: THIRTY_YEARS,
  },
  // 宁海–椒江: 98 matters from 11 departments
  {
    id: 'churujing-jilu',
    name: '出入境记录查询',
    nameEn: 'Entry and exit record query',
    category: '个人',
    department: '公安局出入境管理',
    requiresIdentityConfirmation: true,
    retentionDays: TEN_YEARS,
  },
  {
    id: 'hunyin-dangan',
    name: '婚姻登记档案查询',
    nameEn: 'Marriage registration archive query',
    category: '个人',
    department: '民政局',
    requiresIdentityConfirmation: true,
    retentionDays: TEN_YEARS,
  },
  {
    id: 'qixiang-zhengming',
    name: '气象证明',
    nameEn: 'Meteorological certificate',
    category: '法人',
    department: '气象局',
    requiresIdentityConfirmation: false,
    retentionDays: TEN_YEARS,
  },
  {
    id: 'touzi-xiangmu-beian',
    name: '投资项目备案',
    nameEn: 'Investment project filing',
    category: '法人',
    department: '发展改革局',
    requiresIdentityConfirmation: true,
    retentionDays: THIRTY_YEARS,
  },
  // 宁波–丽水: 105 matters, 78 of them on self-service kiosks
  {
    id: 'huzhao',
    name: '护照申领',
    nameEn: 'Passport application',
    category: '个人',
    department: '公安局出入境管理',
    requiresIdentityConfirmation: true,
    retentionDays: TEN_YEARS,
  },
  {
    id: 'jidongche-jiashizheng',
    name: '机动车驾驶证换证',
    nameEn: 'Renew a driving licence',
    category: '个人',
    department: '公安局交警支队',
    requiresIdentityConfirmation: true,
    retentionDays: TEN_YEARS,
  },
  {
    id: 'yibao-beian',
    name: '异地就医结算备案',
    nameEn: 'Register for medical settlement in another city',
    category: '个人',
    department: '医疗保障局',
    requiresIdentityConfirmation: true,
    retentionDays: TEN_YEARS,
  },
  {
    id: 'gangaotai-lvyou',
    name: '港澳台旅游签注',
    nameEn: 'Hong Kong, Macao and Taiwan travel endorsement',
    category: '个人',
    department: '公安局出入境管理',
    requiresIdentityConfirmation: true,
    retentionDays: TEN_YEARS,
  },
];

export const demoPartnerships: readonly DemoPartnership[] = [
  {
    id: 'cixi-xingren',
    name: '慈溪—兴仁 “跨省通办”',
    kind: '跨省通办',
    signedOn: '2020-08-20',
    description: '东西部扶贫协作结对市“远程云签约”开通，“进一家门、办两地事”：社保与税务实名认证等事项。',
    sites: ['cixi', 'xingren'],
    matters: ['shebao-tingjiao', 'shebao-zhuanyi', 'shuiwu-shiming'],
  },
  {
    id: 'zhenhai-yangpu-nanhu',
    name: '镇海—杨浦—南湖 企业开办“一件事”',
    kind: '跨省通办',
    signedOn: '2020-10-15',
    description: '三地政务服务“跨省通办”合作备忘录：企业开办6个环节异地可办、一日办结。',
    sites: ['zhenhai', 'yangpu', 'nanhu'],
    matters: ['qiye-gongshang', 'qiye-gongzhang', 'qiye-yinhang', 'qiye-shuikong', 'qiye-shebao', 'qiye-gongjijin'],
  },
  {
    id: 'jiangbei-putuo',
    name: '江北—普陀 户籍业务“跨市通办”',
    kind: '跨市通办',
    signedOn: '2020-10-12',
    description: '两地17个公安窗口办理三大类33项户籍业务，占户籍类业务的67.3%。',
    sites: ['jiangbei', 'putuo'],
    matters: ['huji-hukoubu-buban', 'huji-qianru', 'huji-biangeng'],
  },
  {
    id: 'ninghai-jiaojiang',
    name: '椒江宁海政务服务事项两地通办',
    kind: '跨市通办',
    signedOn: '2020-10-28',
    description:
      '第一批可办理清单98个事项，涉及11个部门：企业开办、投资项目、公安户籍、出入境、婚姻登记、档案查询、气象证明、交通业务等。',
    sites: ['ninghai', 'jiaojiang'],
    matters: [
      'qiye-gongshang',
      'touzi-xiangmu-beian',
      'huji-biangeng',
      'churujing-jilu',
      'hunyin-dangan',
      'qixiang-zhengming',
      'jidongche-jiashizheng',
    ],
  },
  {
    id: 'ningbo-lishui',
    name: '甬丽政务服务“一网通办”',
    kind: '跨市通办',
    signedOn: '2020-12-18',
    description: '首批跨区域“一网通办”事项105个，其中78个证明查询类事项置入自助服务终端，24小时服务。',
    sites: ['ningbo', 'lishui'],
    matters: ['huzhao', 'jidongche-jiashizheng', 'gangaotai-lvyou', 'yibao-beian'],
  },
];

export const demoUsers: readonly DemoUser[] = [
  { username: 'clerk.cixi', displayName: '陈晓燕', role: 'clerk', siteId: 'cixi' },
  { username: 'clerk.xingren', displayName: '韦国强', role: 'clerk', siteId: 'xingren' },
  { username: 'clerk.ninghai', displayName: '王丽君', role: 'clerk', siteId: 'ninghai' },
  { username: 'clerk.jiaojiang', displayName: '林志远', role: 'clerk', siteId: 'jiaojiang' },
  { username: 'official.ninghai', displayName: '叶建华', role: 'official', siteId: 'ninghai' },
  { username: 'official.jiaojiang', displayName: '蒋海峰', role: 'official', siteId: 'jiaojiang' },
  { username: 'auditor', displayName: '审计员 周敏', role: 'auditor', siteId: null },
  { username: 'admin', displayName: '平台管理员', role: 'admin', siteId: null },
];

/** One step of a demo 意愿确认 script (protocol/http/script.ts ScriptStep). */
export interface DemoScriptStep {
  readonly kind: 'statement' | 'question';
  readonly text: string;
  readonly expected: 'yes' | 'no';
}

const identityStep: DemoScriptStep = {
  kind: 'question',
  text: '请问您是{applicant}本人吗？',
  expected: 'yes',
};
const voluntaryStep: DemoScriptStep = {
  kind: 'question',
  text: '您是否自愿委托{originatingSite}帮办、由{handlingSite}远程办理本事项？',
  expected: 'yes',
};
const coercionStep: DemoScriptStep = {
  kind: 'question',
  text: '是否有人强迫或诱导您办理本事项？',
  expected: 'no',
};

/**
 * The demo 意愿确认 scripts (issue 15 §1), for the matters of the source article's flow A desks
 * (慈溪–兴仁 social security and tax, 江北–普陀 户籍); placeholders are filled in per case.
 */
export const demoScripts: Readonly<Record<string, readonly DemoScriptStep[]>> = {
  'shebao-tingjiao': [
    {
      kind: 'statement',
      text: '{applicant}您好，本次视频办理全程录音录像，现由{handlingSite}为您办理“{matter}”。',
      expected: 'yes',
    },
    identityStep,
    { kind: 'question', text: '您是否已在参保地以外就业并参保，申请停缴老家的社会保险？', expected: 'yes' },
    coercionStep,
  ],
  'shebao-zhuanyi': [
    { kind: 'statement', text: '{applicant}您好，本次视频办理全程录音录像，办理事项为“{matter}”。', expected: 'yes' },
    identityStep,
    { kind: 'question', text: '您是否申请将养老保险关系转移至现参保地？', expected: 'yes' },
    coercionStep,
  ],
  'shuiwu-shiming': [
    { kind: 'statement', text: '本次视频办理全程录音录像，由{handlingSite}确认企业法定代表人身份。', expected: 'yes' },
    identityStep,
    { kind: 'question', text: '您是否为该企业的法定代表人，并同意办理税务登记实名认证？', expected: 'yes' },
    voluntaryStep,
  ],
  'huji-hukoubu-buban': [
    { kind: 'statement', text: '{applicant}您好，本次视频办理全程录音录像，办理事项为“{matter}”。', expected: 'yes' },
    identityStep,
    { kind: 'question', text: '您申请补办的户口簿是否已遗失或损毁？', expected: 'yes' },
    voluntaryStep,
  ],
};
